import { Body, Controller, Get, Header, Inject, Post, Query, Res } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Response } from 'express';
import { CONSOLE_CONFIG, ConsoleConfig } from '../config/console-config';
import { loginPage } from '../pages/views/login.view';
import { checkAdminToken, TOKEN_COOKIE } from './admin-token';
import { Public } from './public.decorator';

const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : '/');

/** Browsers carry the admin token in an HttpOnly, SameSite=Strict cookie set here (no cross-site form can redrive). */
@Public()
@Controller()
export class LoginController {
  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly jwt: JwtService,
  ) {}

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  form(@Query('next') next?: string): string {
    return loginPage(safeNext(next));
  }

  @Post('login')
  login(@Body() body: { token?: unknown; next?: unknown }, @Res() res: Response): void {
    const token = typeof body.token === 'string' ? body.token.trim() : undefined;
    const check = checkAdminToken(this.jwt, this.config.jwtSecret, token);
    if (!check.ok) {
      res.status(check.status).type('html').send(loginPage(safeNext(body.next), check.message));
      return;
    }
    res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: this.config.nodeEnv === 'production' });
    res.redirect(303, safeNext(body.next));
  }

  @Post('logout')
  logout(@Res() res: Response): void {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  }
}
