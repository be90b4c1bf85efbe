import { NextResponse } from 'next/server';
import { eq } from 'drizzle-orm';
import { db, orders } from '@/lib/db';
import { currentUser } from '@/lib/auth';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  const { id } = await params;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, Number(id)) });
  return NextResponse.json(order);
}

export async function DELETE(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  const { id } = await params;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, Number(id)) });
  if (!order || order.organizationId !== user.organizationId) {
    return NextResponse.json({ error: 'not found' }, { status: 404 });
  }
  await db.delete(orders).where(eq(orders.id, order.id));
  return new NextResponse(null, { status: 204 });
}
