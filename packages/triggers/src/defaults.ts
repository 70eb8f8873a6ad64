/** The trigger engine's defaults, declared once: `triggers()` falls back to them, and the sdk's configuration spec uses them. */
export const TRIGGER_DEFAULTS = Object.freeze({
  intervalMillis: 1_000,
  capturesPerHour: 12,
  diskBudgetBytes: 256 * 1024 * 1024,
});
