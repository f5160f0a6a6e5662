// cl.detection — filled in by its issue.
export {};
