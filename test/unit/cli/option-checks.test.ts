import { InvalidArgumentError } from 'commander';
import { imageReference, referenceProblem } from '../../../src/cli/image-reference.js';
import { checkNetwork, networkName } from '../../../src/cli/network-option.js';
import { DappdepsError } from '../../../src/errors.js';
import { main } from '../../../src/cli/main.js';
import { captureOutput } from '../../support/capture-output.js';
import { expect } from '../../support/expect.js';

describe('shared option checks', () => {
  it('accepts the image references docker accepts', () => {
    for (const ok of ['app', 'app:1', 'my-org/app_x:v1.2-rc', 'localhost:5000/app:1', 'Registry.Example:443/a/b:Tag'])
      expect(referenceProblem(ok), ok).to.equal(undefined);
  });

  it('says what is wrong with a reference, and how to write it', () => {
    expect(referenceProblem('NC3-X:1')).to.equal('repository names must be lowercase: "NC3-X" (try nc3-x:1)');
    expect(referenceProblem('reg.io:5000/Org/App')).to.equal(
      'repository names must be lowercase: "Org" (try reg.io:5000/org/app)',
    );
    expect(referenceProblem('app:-1')).to.match(/^tag "-1": /);
    expect(referenceProblem('a//b')).to.match(/empty path component/);
    expect(referenceProblem('app!:1')).to.match(/^"app!": path components are lowercase letters/);
    expect(referenceProblem('app@sha256:00')).to.match(/digest/);
    expect(() => imageReference('NC3-X:1')).to.throw(InvalidArgumentError, /not an image name\[:tag\]: repository/);
  });

  it('checks --network syntax, then against the engine before any container exists', async () => {
    expect(networkName('my_net.1')).to.equal('my_net.1');
    expect(() => networkName('we ird')).to.throw(InvalidArgumentError);
    const engine = (names: string[]) => ({ engine: { hasNetwork: async (n: string) => names.includes(n) } });
    await checkNetwork(engine([]), 'host');
    await checkNetwork(engine([]), undefined);
    await checkNetwork(engine(['ci-net']), 'ci-net');
    const error = await checkNetwork(engine(['bridge']), 'weird').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DappdepsError);
    expect((error as DappdepsError).exitCode).to.equal(2);
    expect((error as DappdepsError).message).to.equal('--network weird: the engine has no network of that name');
  });

  it('a usage error prints the error, the suggestion and where the help is, not the whole help', async () => {
    const command = captureOutput();
    expect(await main(['biuld'], command)).to.equal(2);
    expect(command.stderr.join('').trim().split('\n')).to.deep.equal([
      "error: unknown command 'biuld'",
      '(Did you mean build?)',
      'see `dappdeps --help`',
    ]);
    const option = captureOutput();
    expect(await main(['build', '--forse'], option)).to.equal(2);
    expect(option.stderr.join('').trim().split('\n')).to.deep.equal([
      "error: unknown option '--forse'",
      '(Did you mean --force?)',
      'see `dappdeps build --help`',
    ]);
  });
});
