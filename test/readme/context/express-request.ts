// Inside an Express handler with the middleware installed.
import '@tributary/express';
declare const req: import('express').Request;
declare const user: { id: string; email: string };
