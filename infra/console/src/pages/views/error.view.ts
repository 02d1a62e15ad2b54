import { esc, layout } from './html';
import { loginForm } from './login.view';

export function errorPage(status: number, error: string, message: string, url: string): string {
  const login = status === 401 || status === 403 ? loginForm(url) : '';
  return layout(`${status} ${error}`, '', `<p class="warn">${esc(message)}</p>${login}`);
}
