export const config = {
  port: Number(process.env.PORT ?? 4000),
  jwtSecret: process.env.JWT_SECRET || 'super-secret-change-me',
  stripeKey: process.env.STRIPE_SECRET_KEY ?? '',
  logLevel: process.env.LOG_LEVEL || 'info',
};
