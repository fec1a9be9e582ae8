import { describe, expect, it } from 'vitest';
import { describeListening, isLoopbackHost } from './listen-address';

describe('where the server listens', () => {
  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(describeListening(host, 4000).warning).toBeUndefined();
  });

  it('warns, and says so, for every interface', () => {
    const described = describeListening('0.0.0.0', 4000);
    expect(described.listening).toBe('0.0.0.0:4000 (every network interface)');
    expect(described.warning).toContain('HOST=0.0.0.0 listens beyond loopback');
  });

  it.each(['10.0.0.7', '::', '192.168.1.2', 'tollgate.example.com'])('warns for %s', (host) => {
    expect(describeListening(host, 4000).warning).toBeDefined();
  });
});
