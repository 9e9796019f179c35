/** `kernelbus <command>`: dispatches to the commands; errors print one line and exit 1 (2 for usage). */
import { backends } from '../backends/registry.js';
import { KernelbusError } from '../errors.js';
import { runVpin, VPIN_USAGE } from './vpin.js';

const USAGE = `Usage: kernelbus <command> [options]

Commands:
  demo [--symbols 100] [--rate 200000] [--seconds 10] [--seed 1] [--redis URL]
                          simulated market -> bus -> VPIN, risk and factor engines -> alerts, portfolio
                          VaR and factor returns, in-process or over Redis
  feed --redis URL [--symbols 100] [--rate 200000] [--seconds 10] [--seed 1]
                          publish the simulated market to Redis Streams (kernelbus feed --help)
  engine vpin|risk|factor --redis URL [--group name] [--consumer name]
                          a VPIN, risk or factor engine process on Redis until SIGINT/SIGTERM
                          (kernelbus engine --help)
  vpin <trades.csv>       VPIN from a CSV of trades (kernelbus vpin --help)
  risk <returns.csv>      statistics and VaR/ES of a CSV of returns (kernelbus risk --help)
  factor <panel.csv>      style scores and factor returns of a long panel CSV (kernelbus factor --help)
  backends                which backends load on this machine
  doctor [--json]         platform, Node, which backends load and why not, threads, BLAS, GPU, and the fixes
  help                    this text
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'vpin':
        return await runVpin(rest);
      case 'risk': {
        const { runRisk } = await import('./risk.js');
        return await runRisk(rest);
      }
      case 'factor': {
        const { runFactor } = await import('./factor.js');
        return await runFactor(rest);
      }
      case 'demo': {
        const { runDemo } = await import('./demo.js');
        return await runDemo(rest);
      }
      case 'feed': {
        const { runFeed } = await import('./feed.js');
        return await runFeed(rest);
      }
      case 'engine': {
        const { runEngine } = await import('./engine.js');
        return await runEngine(rest);
      }
      case 'doctor':
        return (await import('./doctor.js')).runDoctor(rest);
      case 'backends':
        console.log(JSON.stringify(backends(), null, 2));
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`kernelbus: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof KernelbusError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`kernelbus ${command}: ${(error as Error).message}`);
      if (command === 'vpin' && !(error instanceof KernelbusError)) console.error(VPIN_USAGE);
      return 2;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`kernelbus ${command}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}
