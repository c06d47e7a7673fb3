using System.IO.Pipes;
using System.Text;

namespace ImpVpn.Core.WireGuard.Uapi;

/// <summary>The UAPI on Windows: WireGuard for Windows' tunnel service serves it on a named pipe
/// that only Administrators may open.</summary>
internal sealed class NamedPipeUapiTransport : IUapiTransport
{
    private const string PipePrefix = @"ProtectedPrefix\Administrators\WireGuard\";

    public IReadOnlyList<string> ListDevices() =>
        Directory.GetFiles(@"\\.\pipe\")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => n[PipePrefix.Length..])
            .ToList();

    public bool Exists(string device) => ListDevices().Contains(device, StringComparer.OrdinalIgnoreCase);

    public async Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken)
    {
        await using var pipe = new NamedPipeClientStream(".", PipePrefix + device, PipeDirection.InOut);
        await pipe.ConnectAsync(5000, cancellationToken).ConfigureAwait(false);
        var bytes = Encoding.ASCII.GetBytes(request);
        await pipe.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(pipe, Encoding.ASCII);
        var reply = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                break;
            }

            reply.Append(line).Append('\n');
        }

        return reply.Append('\n').ToString();
    }
}
