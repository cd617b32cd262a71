import type { HealthProbe } from '../../core/ports/health-probe';

/** The local SageMaker-runtime-compatible gateway answers GET /ping like a serving container. */
export function scoringGatewayProbe(endpoint: string | undefined): HealthProbe {
  return {
    name: 'scoring-gateway',
    async check() {
      if (!endpoint) throw new Error('no scoring gateway endpoint configured');
      const res = await fetch(`${endpoint}/ping`);
      if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
      return endpoint;
    },
  };
}
