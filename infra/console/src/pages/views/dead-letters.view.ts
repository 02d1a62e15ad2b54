import { DeadLetterView } from '../../api/views';
import { RedriveResult } from '../../dead-letters/redrive.types';
import { esc, layout, pretty } from './html';
import { filterForm, FilterValues } from './messages.view';

export function deadLettersPage(topics: readonly string[], values: FilterValues, list: readonly DeadLetterView[]): string {
  const reason = `<label>Reason contains<input name="reason" size="18" value="${esc(values.reason ?? '')}"></label>`;
  const hidden = Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<input type="hidden" name="filter.${esc(k)}" value="${esc(v)}">`)
    .join('');
  const rows = list
    .map(
      (d) => `<tr data-id="${esc(d.id)}"><td><input type="checkbox" name="ids" value="${esc(d.id)}" aria-label="select ${esc(d.id)}"></td>
<td><a href="${esc(d.message.link)}">${esc(d.id)}</a><br><span class="muted">${esc(d.failedAt ?? d.message.timestamp)}</span></td>
<td>${esc(d.originalTopic ?? '?')}/${esc(d.originalPartition ?? '?')}/${esc(d.originalOffset ?? '?')}<br><span class="muted">${esc(d.failedConsumer ?? '')}</span></td>
<td class="warn">${esc(d.reason ?? '')}</td><td class="n redrives">${d.redriveCount}</td>
<td><pre>${d.message.value !== null ? pretty(d.message.value) : `not JSON (base64): ${esc(d.message.rawValue ?? '')}`}</pre></td></tr>`,
    )
    .join('');
  return layout(
    'Dead letters',
    '/dead-letters',
    `${filterForm('/dead-letters', topics, values, reason)}
<form method="post" action="/dead-letters/redrive" id="redrive">${hidden}
<div class="box"><b id="count">${list.length}</b> dead letter(s).
<label><input type="checkbox" name="dryRun" value="true"> dry run (show, send nothing)</label>
<label><input type="checkbox" name="again" value="true"> again (also those redriven before)</label>
<button type="submit" name="scope" value="selected">Redrive selected</button>
<button type="submit" name="scope" value="matching" class="light">Redrive all ${list.length} matching</button></div>
<table id="dead-letters"><thead><tr><th></th><th>Dead letter</th><th>From (topic/partition/offset) and consumer</th><th>Reason</th><th>Redriven</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table></form>`,
  );
}

export function redrivePage(result: RedriveResult): string {
  const title = result.dryRun ? 'Redrive: dry run' : 'Redrive';
  const sent = result.sent.map((s) => `<tr><td>${esc(s.id)}</td><td><a href="/messages/${esc(s.sentAs)}">${esc(s.sentAs)}</a></td></tr>`).join('');
  const refused = result.refused.map((r) => `<tr><td>${esc(r.id)}</td><td class="warn">${esc(r.reason)}</td></tr>`).join('');
  const planned = result.planned.map((p) => `<tr><td>${esc(p.id)}</td><td>${esc(p.topic)}/${p.partition}</td><td>${esc(p.key ?? '')}</td><td><pre>${pretty(p.headers)}</pre></td><td><pre>${esc(p.value ?? '')}</pre></td></tr>`).join('');
  return layout(
    title,
    '/dead-letters',
    `<p id="outcome">${result.dryRun ? `Would send ${result.planned.length}` : `Sent ${result.sent.length}`}, refused ${result.refused.length} (as ${esc(result.by)}).</p>
${sent ? `<h2>Sent</h2><table id="sent"><tr><th>Dead letter</th><th>Sent as</th></tr>${sent}</table>` : ''}
${refused ? `<h2>Refused</h2><table id="refused"><tr><th>Dead letter</th><th>Why</th></tr>${refused}</table>` : ''}
${result.dryRun && planned ? `<h2>Would send</h2><table id="planned"><tr><th>Dead letter</th><th>To</th><th>Key</th><th>Headers</th><th>Value</th></tr>${planned}</table>` : ''}
<p><a href="/dead-letters">back to the dead letters</a></p>`,
  );
}
