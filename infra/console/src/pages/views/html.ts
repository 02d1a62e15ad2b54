/** Text into HTML: every value shown on a page comes from Kafka messages, so it is escaped. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A query string of the non-empty values. */
export function qs(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const pretty = (value: unknown): string => esc(JSON.stringify(value, null, 2));

const NAV: Array<[string, string]> = [
  ['/', 'Topics'],
  ['/groups', 'Consumer groups'],
  ['/messages', 'Messages'],
  ['/story', "A request's story"],
  ['/dead-letters', 'Dead letters'],
];

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:10px 20px;display:flex;gap:22px;align-items:center}
header b{font-size:16px;margin-right:12px}header a{color:#c9d3e6;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #5aa9ff}
main{padding:16px 20px}h1{font-size:20px;margin:4px 0 14px}h2{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;margin-bottom:14px}th,td{border:1px solid #dde1e8;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:12px;max-height:320px;overflow:auto}
form.filter{display:flex;flex-wrap:wrap;gap:8px;align-items:end;background:#fff;padding:10px;border:1px solid #dde1e8;margin-bottom:12px}
form.filter label{display:flex;flex-direction:column;font-size:12px;color:#555}input,select{padding:4px 6px;font:inherit}
button{padding:5px 12px;font:inherit;cursor:pointer;border:1px solid #3b6fd1;background:#3b6fd1;color:#fff;border-radius:3px}
button.light{background:#fff;color:#3b6fd1}.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#e6ecf7;font-size:12px;margin:1px}
.dlq{background:#fde8e8}.warn{color:#a43}.ok{color:#186a3b}.muted{color:#777}.box{background:#fff;border:1px solid #dde1e8;padding:10px;margin-bottom:12px}
`;

export function layout(title: string, active: string, body: string): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}"${href === active ? ' class="on"' : ''}>${esc(label)}</a>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · nest-ms events</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><header><b>nest-ms events</b>${nav}</header><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}
