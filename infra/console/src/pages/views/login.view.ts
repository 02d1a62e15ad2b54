import { esc, layout } from './html';

export function loginForm(next: string): string {
  return `<form class="filter" method="post" action="/login">
<input type="hidden" name="next" value="${esc(next)}">
<label>Admin token (from the gateway's POST /api/auth/login)<input name="token" size="80" autocomplete="off"></label>
<button type="submit">Sign in</button></form>`;
}

export const loginPage = (next: string, message = ''): string =>
  layout('Sign in', '', `${message ? `<p class="warn">${esc(message)}</p>` : ''}<p>The console needs an admin's token (AUTH_ENABLED).</p>${loginForm(next)}`);
