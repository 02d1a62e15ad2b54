// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { ApiProperty } from '@nestjs/swagger';

/** Every error an app answers (the gateway passes a service's through unchanged). */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 400 }) readonly statusCode!: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What is wrong; validation errors list one message per failing field',
    example: ['email must be an email'],
  })
  readonly message!: string | string[];

  @ApiProperty({ example: 'Bad Request' }) readonly error!: string;

  @ApiProperty({ example: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', description: 'Echoes X-Request-Id' })
  readonly requestId!: string;

  @ApiProperty({ required: false, example: 'USER.NOT_FOUND', description: 'Domain error code, when a service gave one' })
  readonly code?: string;
}
