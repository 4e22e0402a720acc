// The collector README's OAuth excerpt: the client class and the app's private key.
import { Analytics } from '@tributary/core';
declare const privatePem: string;
