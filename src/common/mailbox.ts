/** A plain mailbox address as the mail outbox accepts it: no quoted local part, no display name. */
export const MAILBOX = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
