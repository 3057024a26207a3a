class P extends HTMLElement { set hass(h){ this._h=h; this.textContent='placeholder'; } }
customElements.define('backup-access-codes-panel', P);
