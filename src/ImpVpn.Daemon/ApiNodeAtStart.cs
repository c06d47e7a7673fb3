using Microsoft.Extensions.Hosting;

namespace ImpVpn.Daemon;

/// <summary>A daemon serving the API connects to its node before it reports ready, as the seller and the refresh
/// do: a node it cannot reach (or one not synced, with Node.RequireSynced) fails the start, and the service manager
/// says so, instead of an API that answers ids whose every result is "failed".</summary>
internal sealed class ApiNodeAtStart(NodeConnection nodes) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => nodes.GetAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
