// The collector's public types, which the signature excerpt names.
import type { CollectorOptions, RunningCollector } from '@tributary/collector';
