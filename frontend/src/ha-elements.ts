// Home Assistant's own elements the panel renders. The frontend loads its elements lazily; by
// the time a panel shows, its shell has defined these. Should one be missing (another frontend
// release), open the configuration panel's routes once so that the frontend defines its form
// elements, as other integrations' panels do; a panel that still lacks one falls back to plain
// HTML styled with the theme (nothing breaks, it only looks less native).
export const NEEDED = [
  "ha-card",
  "ha-button",
  "ha-dialog",
  "ha-dialog-footer",
  "ha-input",
  "ha-switch",
  "ha-alert",
  "ha-icon",
  "ha-menu-button",
  "ha-expansion-panel",
];

interface Routable extends HTMLElement {
  hass?: unknown;
  _updateRoutes?: () => void;
  routerOptions?: { routes: Record<string, { load?: () => Promise<unknown> }> };
}

export async function ensureHaElements(): Promise<string[]> {
  const missing = () => NEEDED.filter((name) => !customElements.get(name));
  if (missing().length === 0) return [];
  try {
    await Promise.race([
      customElements.whenDefined("partial-panel-resolver"),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
    const resolver = document.createElement("partial-panel-resolver") as Routable;
    resolver.hass = { panels: [{ url_path: "tmp", component_name: "config" }] };
    resolver._updateRoutes?.();
    await resolver.routerOptions?.routes.tmp?.load?.();
    await customElements.whenDefined("ha-panel-config");
    const config = document.createElement("ha-panel-config") as Routable;
    await config.routerOptions?.routes.automation?.load?.();
  } catch {
    // Internal routes moved: keep the fallbacks.
  }
  return missing();
}
