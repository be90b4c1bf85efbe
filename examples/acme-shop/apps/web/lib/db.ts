import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, serial, text, integer } from 'drizzle-orm/pg-core';

export const orders = pgTable('orders', {
  id: serial('id').primaryKey(),
  organizationId: integer('organization_id').notNull(),
  status: text('status').notNull(),
});

export const db = drizzle(process.env.DATABASE_URL!);
