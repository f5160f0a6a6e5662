// cl.inspect — filled in by its issue.
export {};
