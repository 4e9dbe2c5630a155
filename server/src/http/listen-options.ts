/**
 * The accept-queue length asked of the kernel (capped by net.core.somaxconn). Node's default, 511,
 * overflows when a thousand clients connect at once (a reconnect storm after a deploy, a burst of
 * streams): the kernel then drops SYNs and clients retry only after 1 s, then 3 s.
 */
export const listenBacklog = 4096;
