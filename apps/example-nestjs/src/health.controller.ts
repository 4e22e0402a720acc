import { Controller, Get } from '@nestjs/common';
import { SkipTracking } from '@tributary/nestjs';

@SkipTracking()
@Controller('health')
export class HealthController {
  @Get()
  check(): { ok: true } {
    return { ok: true };
  }
}
