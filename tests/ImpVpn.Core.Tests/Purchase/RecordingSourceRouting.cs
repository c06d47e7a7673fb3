using System.Net;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Purchase;

/// <summary>Policy routing by source address, recorded: a buyer that can set up a port forward on the recording
/// WireGuard (<see cref="RecordingWireGuard"/>).</summary>
internal sealed class RecordingSourceRouting : ISourceRouting
{
    public List<string> Calls { get; } = [];

    public Task RouteFromAsync(string interfaceName, IPAddress source, int table, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add($"route from {source} via {interfaceName} table {table}");
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(IPAddress source, int table, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add($"remove from {source} table {table}");
        }

        return Task.CompletedTask;
    }
}
