/**
 * The one user of the auth-off default (no AUTH_TOKENS, no trusted proxy header). Objects made
 * before ownership was recorded belong to this user.
 */
export const localUserId = 'local';
