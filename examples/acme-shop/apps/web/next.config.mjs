/** @type {import('next').NextConfig} */
const nextConfig = {
  images: {
    remotePatterns: [{ protocol: 'http', hostname: 'localhost', port: '9000' }],
  },
  async rewrites() {
    return [{ source: '/api/realtime/:path*', destination: `${process.env.API_URL || 'http://localhost:4000'}/:path*` }];
  },
};

export default nextConfig;
