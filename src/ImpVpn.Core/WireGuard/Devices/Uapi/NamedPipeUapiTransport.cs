using System.IO.Pipes;
using System.Text;

namespace ImpVpn.Core.WireGuard.Devices.Uapi;

/// <summary>The UAPI on Windows as userspace implementations serve it (wireguard-go, WireGuard for Windows before
/// WireGuardNT): a named pipe only Administrators may open. Current WireGuard for Windows has no such pipe; its
/// tunnels are driven with wg.exe (Devices/WgTool) and made as tunnel services (Links/Windows).</summary>
internal sealed class NamedPipeUapiTransport : IUapiTransport
{
    private const string PipeFolder = @"\\.\pipe\";
    private const string PipePrefix = @"ProtectedPrefix\Administrators\WireGuard\";

    public IReadOnlyList<string> ListDevices() =>
        Directory.GetFiles(PipeFolder).Select(DeviceOfPipe).OfType<string>().ToList();

    public bool Exists(string device) => ListDevices().Contains(device, StringComparer.OrdinalIgnoreCase);

    /// <summary>The device a pipe path such as <c>\\.\pipe\ProtectedPrefix\Administrators\WireGuard\wg0</c> serves,
    /// or null for any other pipe. The pipe's name contains backslashes, so Path.GetFileName would keep only "wg0"
    /// and the prefix could never match.</summary>
    internal static string? DeviceOfPipe(string pipePath)
    {
        var name = pipePath.StartsWith(PipeFolder, StringComparison.OrdinalIgnoreCase) ? pipePath[PipeFolder.Length..] : pipePath;
        return name.StartsWith(PipePrefix, StringComparison.OrdinalIgnoreCase) && name.Length > PipePrefix.Length
            ? name[PipePrefix.Length..]
            : null;
    }

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

        // A reply cut short lacks its final errno line; UapiCodec refuses it.
        return reply.Append('\n').ToString();
    }
}
