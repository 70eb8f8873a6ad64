import { join } from 'node:path';
import { Daemon } from './daemon.ts';

/** A real Alertmanager (Debian prometheus-alertmanager) on loopback, no clustering, with a temp storage dir. */
export class Alertmanager extends Daemon {
  static async start(config: string): Promise<Alertmanager> {
    const { url, dir, process } = await Daemon.launch(
      'prometheus-alertmanager',
      'alertmanager.yml',
      config,
      (d, port) => [
        `--config.file=${join(d, 'alertmanager.yml')}`,
        `--storage.path=${join(d, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=', // without it: binds :9094 and waits for peers before sending anything
      ],
    );
    return new Alertmanager(url, dir, process);
  }
}
