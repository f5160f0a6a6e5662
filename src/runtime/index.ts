// cl.runtime — filled in by its issue.
export {};
