// The core README's configuration excerpts: the class and a write key.
import { Analytics } from '@tributary/core';
declare const writeKey: string;
