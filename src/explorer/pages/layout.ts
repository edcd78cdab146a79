/** The frame every explorer page shares: title, navigation, the stylesheet and script it serves itself. */
import { html, type Html } from '../html.js';

export const NAV = [
  ['/', 'Trail'],
  ['/environments', 'Environments'],
  ['/access', 'Guest access'],
  ['/tokens', 'Tokens'],
  ['/health', 'Sync health'],
] as const;

export interface PageFrame {
  title: string;
  /** The nav entry of this page ('/' for the trail). */
  section: string;
  body: Html;
  /** Prefix the explorer is mounted under ('' standalone, '/explorer' on the ops port). */
  base: string;
  /** Load the charts' script (pages without charts stay script-free). */
  charts?: boolean;
}

export function layout(frame: PageFrame): Html {
  const b = frame.base;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · flatfile-audit</title>
<link rel="icon" href="${b}/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${b}/assets/explorer.css">
${frame.charts ? html`<script src="${b}/assets/chart.umd.js" defer></script><script src="${b}/assets/explorer.js" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="brand">flatfile-audit</span>
<nav aria-label="Sections"><ul>
${NAV.map(([path, label]) => html`<li><a href="${b}${path}"${path === frame.section ? html` aria-current="page"` : ''}>${label}</a></li>`)}
</ul></nav>
</header>
<main id="main">
${frame.body}
</main>
</body>
</html>
`;
}

/** A time as people read it in a table (UTC, to the second), keeping the full value in a <time>. */
export function timeCell(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}
