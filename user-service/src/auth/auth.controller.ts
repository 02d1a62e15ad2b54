import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { LoginDto, UserResponseDto } from '../shared/dto/users';
import { toUserResponse } from '../users/dto/user-response';
import { CredentialsService } from './credentials.service';

/** Internal: the gateway's login asks here, then issues the token itself. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an email and password (for the gateway\'s login)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password: one answer for both' })
  async verify(@Body() dto: LoginDto): Promise<UserResponseDto> {
    const user = await this.credentials.verify(dto.email, dto.password);
    if (!user) throw new UnauthorizedException('invalid email or password');
    return toUserResponse(user);
  }
}
