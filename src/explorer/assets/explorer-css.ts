/** The explorer's stylesheet, served from the package (no CDN, no remote fonts). Contrast ≥ 4.5:1; focus always visible. */
export const EXPLORER_CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --line: #d0d7de; --accent: #0b5cad; --bad: #a40e26; --ok: #116329; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, pre:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem; }
.skip:focus { left: .5rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--soft); }
.brand { font-weight: 700; }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .6rem 1rem; align-items: end; padding: .8rem; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); }
.field label { display: block; font-size: .85rem; color: var(--muted); margin-bottom: .15rem; }
.field input, .field select { width: 100%; padding: .35rem .45rem; font: inherit; border: 1px solid #8c959f; border-radius: 4px; background: var(--bg); color: var(--fg); }
.field.check { display: flex; gap: .45rem; align-items: center; align-self: center; }
.field.check input { width: 1.1rem; height: 1.1rem; margin: 0; }
.field.check label { display: inline; margin: 0; color: var(--fg); font-size: .92rem; }
input[type="checkbox"]:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.summary { margin: .8rem 0; }
.flag + .flag { margin-left: .3rem; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
.chart-box { position: relative; height: 220px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { text-align: left; color: var(--muted); padding: .3rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); }
tbody tr:hover { background: #eef4fb; }
.muted { color: var(--muted); }
.error, .flag { color: var(--bad); }
.chain.ok { color: var(--ok); font-weight: 600; }
.chain.bad { color: var(--bad); font-weight: 600; }
.state-ok { color: var(--ok); }
.state-failing, .state-failed, .state-stale, .state-partial { color: var(--bad); font-weight: 600; }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
.fields { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: .25rem 1rem; }
.fields dt { color: var(--muted); }
.fields dd { margin: 0; word-break: break-all; }
.raw { background: var(--soft); border: 1px solid var(--line); padding: .8rem; overflow-x: auto; font-size: .85rem; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
@media (max-width: 600px) { main { padding: .6rem; } th, td { padding: .3rem; } .fields { grid-template-columns: 1fr; } }
`;

/** The tab icon: a small ledger mark, so browsers ask for nothing the app does not serve. */
export const EXPLORER_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5cad"/><path d="M4 4h8M4 8h8M4 12h5" stroke="#fff" stroke-width="1.6"/></svg>`;
