// Home Assistant's theme variables only, so light and dark themes (and the host's own theme) apply.
import { css } from "lit";

export const panelStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: var(--primary-background-color);
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif);
  }
  .toolbar {
    position: sticky;
    top: 0;
    z-index: 4;
    display: flex;
    align-items: center;
    gap: 8px;
    height: var(--header-height, 56px);
    padding: 0 12px;
    box-sizing: border-box;
    background: var(--app-header-background-color, var(--primary-color));
    color: var(--app-header-text-color, var(--text-primary-color));
    border-bottom: var(--app-header-border-bottom, none);
  }
  .main-title {
    flex: 1;
    font-size: var(--ha-font-size-xl, 20px);
    margin-inline-start: 8px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .content {
    max-width: 1440px;
    margin: 0 auto;
    padding: 16px;
    box-sizing: border-box;
  }
  h2 {
    font-size: var(--ha-font-size-l, 18px);
    font-weight: var(--ha-font-weight-medium, 500);
    margin: 24px 4px 8px;
  }
  ha-alert {
    display: block;
    margin-bottom: 8px;
  }
  .locks {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
    gap: 12px;
  }
  .lock-card {
    display: flex;
    flex-direction: column;
  }
  .lock-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 16px 16px 0;
    font-size: var(--ha-font-size-l, 18px);
  }
  .lock-head .name {
    flex: 1 1 40%;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: var(--ha-font-size-s, 12px);
    line-height: 20px;
    white-space: nowrap;
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
  }
  .chip ha-icon {
    --mdc-icon-size: 16px;
  }
  .chip.online {
    background: rgba(var(--rgb-success-color, 67, 160, 71), 0.2);
  }
  .chip.offline,
  .chip.s-issue_failed {
    background: rgba(var(--rgb-error-color, 219, 68, 55), 0.2);
  }
  .chip.s-backup_issued {
    background: rgba(var(--rgb-warning-color, 255, 166, 0), 0.25);
  }
  .chip.s-programmed,
  .chip.s-issued {
    background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.18);
  }
  .lock-body {
    padding: 12px 16px;
    flex: 1;
  }
  .counts {
    display: grid;
    grid-template-columns: repeat(4, 1fr);
    gap: 8px;
    text-align: center;
    margin-bottom: 12px;
  }
  .count {
    padding: 8px 4px;
    border-radius: var(--ha-border-radius-md, 8px);
    background: var(--secondary-background-color);
  }
  .count .number {
    font-size: var(--ha-font-size-2xl, 24px);
    line-height: 1.2;
  }
  .count .label {
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .warning {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 4px 0;
    font-size: var(--ha-font-size-m, 14px);
  }
  .warning.error ha-icon {
    color: var(--error-color);
  }
  .warning.warn ha-icon {
    color: var(--warning-color);
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 8px 0 0;
    font-size: var(--ha-font-size-m, 14px);
  }
  dt {
    color: var(--secondary-text-color);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .card-actions {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    padding: 8px;
    border-top: 1px solid var(--divider-color);
  }
  .timeline {
    overflow: hidden;
  }
  .days,
  .grant-head {
    display: grid;
    grid-template-columns: minmax(220px, 32%) 1fr;
  }
  .days {
    background: var(--card-background-color, var(--ha-card-background));
    border-bottom: 1px solid var(--divider-color);
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .day-labels {
    display: grid;
    grid-template-columns: repeat(15, 1fr);
    /* The labels follow the width the days get, not the window's: see the queries below. */
    container-type: inline-size;
  }
  .day-labels > span {
    display: flex;
    flex-direction: column;
    align-items: center;
    padding: 4px 0;
    line-height: 1.35;
    border-inline-start: 1px solid var(--divider-color);
    overflow: hidden;
    white-space: nowrap;
  }
  .day-labels span.today {
    color: var(--primary-color);
    font-weight: var(--ha-font-weight-bold, 600);
  }
  /* The weekday over the day: "Wed" from 30 px a day, "W" below; today says so from 44 px. */
  .day-labels .letter,
  .day-labels .today-word {
    display: none;
  }
  @container (max-width: 449px) {
    .day-labels .weekday {
      display: none;
    }
    .day-labels .letter {
      display: inline;
    }
  }
  @container (min-width: 660px) {
    .day-labels .today .weekday {
      display: none;
    }
    .day-labels .today .today-word {
      display: inline;
    }
  }
  .grant {
    border-bottom: 1px solid var(--divider-color);
    /* A thousand stays: rows out of view are neither laid out nor painted. */
    content-visibility: auto;
    contain-intrinsic-size: auto 80px;
  }
  .lock-card {
    content-visibility: auto;
    contain-intrinsic-size: auto 300px;
  }
  .grant:last-child {
    border-bottom: none;
  }
  .grant-head {
    width: 100%;
    border: none;
    background: none;
    color: inherit;
    font: inherit;
    text-align: start;
    padding: 0;
    cursor: pointer;
  }
  .grant-head:hover,
  .grant-head:focus-visible {
    background: var(--secondary-background-color);
    outline: none;
  }
  .who {
    padding: 10px 12px 10px 16px;
    min-width: 0;
  }
  .who .name {
    font-weight: var(--ha-font-weight-medium, 500);
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .who .name ha-icon {
    --mdc-icon-size: 18px;
    color: var(--secondary-text-color);
  }
  .when {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
    margin: 2px 0 4px;
    text-wrap: balance; /* check-in and check-out on a line each, not a lone "PM" */
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
  }
  .bar-area {
    position: relative;
    min-height: 44px;
    background-image: linear-gradient(to right, var(--divider-color) 1px, transparent 1px);
    background-size: calc(100% / 15) 100%;
  }
  .bar {
    position: absolute;
    top: 50%;
    height: 18px;
    margin-top: -9px;
    border-radius: 9px;
    min-width: 6px;
    background: var(--primary-color);
    opacity: 0.85;
  }
  .bar.scheduled {
    background: var(--disabled-color, #bdbdbd);
  }
  .bar.backup_issued {
    background: var(--warning-color);
  }
  .bar.issue_failed {
    background: var(--error-color);
  }
  .bar.clip-start {
    border-start-start-radius: 0;
    border-end-start-radius: 0;
  }
  .bar.clip-end {
    border-start-end-radius: 0;
    border-end-end-radius: 0;
  }
  .now-line {
    position: absolute;
    top: 0;
    bottom: 0;
    width: 2px;
    background: var(--accent-color, var(--primary-color));
    opacity: 0.6;
  }
  .later {
    position: absolute;
    inset-inline-end: 8px;
    top: 50%;
    transform: translateY(-50%);
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
  }
  .details {
    padding: 4px 16px 12px;
    background: var(--secondary-background-color);
  }
  .note {
    font-size: var(--ha-font-size-s, 12px);
    color: var(--secondary-text-color);
    margin: 8px 0;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: var(--ha-font-size-m, 14px);
  }
  th {
    text-align: start;
    font-weight: var(--ha-font-weight-medium, 500);
    color: var(--secondary-text-color);
    padding: 8px 6px;
  }
  td {
    padding: 6px;
    border-top: 1px solid var(--divider-color);
    vertical-align: middle;
  }
  .grant-actions {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: 8px;
    margin-top: 8px;
  }
  .empty {
    padding: 24px 16px;
    color: var(--secondary-text-color);
    text-align: center;
  }
  ha-expansion-panel {
    margin-top: 16px;
    --expansion-panel-content-padding: 0;
  }
  .past-row {
    padding: 8px 16px;
    border-top: 1px solid var(--divider-color);
    font-size: var(--ha-font-size-m, 14px);
  }
  .past-row .when {
    margin: 0;
  }
  /* Phones: the timeline bar goes under the guest, tables become lists. */
  @media (max-width: 700px) {
    .wide-only {
      display: none;
    }
    .content {
      padding: 8px;
    }
    .days,
    .grant-head {
      grid-template-columns: 1fr;
    }
    .days .spacer {
      display: none;
    }

    .who {
      padding: 10px 12px 4px;
    }
    .bar-area {
      min-height: 26px;
      margin: 0 12px 8px;
    }
    table,
    tbody,
    tr,
    td {
      display: block;
    }
    thead {
      display: none;
    }
    tr {
      padding: 8px 0;
      border-top: 1px solid var(--divider-color);
    }
    td {
      border: none;
      padding: 2px 0;
    }
    td[data-label]::before {
      content: attr(data-label) ": ";
      color: var(--secondary-text-color);
    }
    /* The three actions of a grant on one line of a 390 px phone. */
    .details {
      padding: 4px 12px 12px;
    }
    .grant-actions {
      gap: 4px;
    }
    .grant-actions ha-button {
      --wa-form-control-padding-inline: 8px;
    }
  }
`;

export const dialogStyles = css`
  /* ha-input keeps room under a required field for its message: that is the gap between fields. */
  .form {
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .form .locks-choice {
    margin-bottom: 16px;
  }
  .lock-choice {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 4px 0;
  }
  .field-label {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
  }
  .code {
    font-family: var(--ha-font-family-code, monospace);
    font-size: 40px;
    letter-spacing: 0.2em;
    text-align: center;
    padding: 12px 0;
    user-select: all;
  }
  .message {
    padding: 12px;
    border-radius: var(--ha-border-radius-md, 8px);
    background: var(--secondary-background-color);
    white-space: pre-wrap;
    user-select: all;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    justify-content: center;
    margin: 8px 0;
  }
  .hint {
    color: var(--secondary-text-color);
    font-size: var(--ha-font-size-s, 12px);
    text-align: center;
  }
`;
