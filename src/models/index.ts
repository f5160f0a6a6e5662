// cl.models — filled in by its issue.
export {};
