/** Windowed numbers default to the old service's window: the last 24 hours, in seconds. */
export const defaultWindowSeconds = 86_400;
