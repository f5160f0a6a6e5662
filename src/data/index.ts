// cl.data — filled in by its issue.
export {};
