import { cookies } from 'next/headers';
import { jwtVerify } from 'jose';

const env = process.env;
const secret = new TextEncoder().encode(env.AUTH_SECRET || 'acme-dev-secret');

export async function currentUser() {
  const token = (await cookies()).get('session')?.value;
  if (!token) return null;
  const { payload } = await jwtVerify(token, secret);
  return payload as { sub: string; organizationId: number };
}
