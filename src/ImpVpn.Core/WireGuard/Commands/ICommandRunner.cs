namespace ImpVpn.Core.WireGuard.Commands;

/// <summary>Runs the system tools WireGuard setup needs (ip, wg, wireguard-go, wireguard.exe).
/// An interface so links, devices and error paths are tested on exactly what they would run.</summary>
internal interface ICommandRunner
{
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

    /// <summary>The same, with <paramref name="standardInput"/> written to the command's input, which is then closed:
    /// for a script (nft -f -) that should be neither on the command line nor in a file.</summary>
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string standardInput, CancellationToken cancellationToken);
}
