// cl.train — filled in by its issue.
export {};
