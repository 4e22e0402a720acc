// The module's import and a write key, around an excerpt from a module's `imports`.
import { AnalyticsModule } from '@tributary/nestjs';
declare const writeKey: string;
