using System.Globalization;
using Grpc.Core;
using ImpVpn.Api.Rpc.Extras;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using Microsoft.Extensions.Hosting;

namespace ImpVpn.Daemon;

/// <summary>impvpn.api.v1.VpnExtras: the events of the seed's methods, and the tunnels, one tunnel and a seller's
/// offer, which the seed's API lacks.</summary>
internal sealed class VpnExtrasService(ApiBuying buying, ApiEventLog events, IHostApplicationLifetime lifetime) : VpnExtras.VpnExtrasBase
{
    /// <summary>Until the client goes or the daemon stops: a subscription left open would otherwise hold the stop
    /// for the host's whole shutdown time.</summary>
    public override async Task SubscribeEvents(SubscribeEventsRequest request, IServerStreamWriter<VpnEvent> responseStream, ServerCallContext context)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var happened in events.SubscribeAsync(request.Since, ends.Token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(ToMessage(happened), ends.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The stream ends cleanly: the client reads what it missed with ListEvents after the restart.
        }
    }

    public override Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        // One read of both: taken apart, an event appended between them would be skipped by a client resuming
        // from last_sequence + 1.
        var (kept, last) = events.Snapshot(request.Since);
        var response = new ListEventsResponse { LastSequence = last };
        response.Events.AddRange(kept.Select(ToMessage));
        return Task.FromResult(response);
    }

    public override Task<ListTunnelsResponse> ListTunnels(ListTunnelsRequest request, ServerCallContext context)
    {
        var response = new ListTunnelsResponse();
        response.Tunnels.AddRange(buying.Contracts.All().OrderBy(c => c.CreatedAt).Select(ToMessage));
        return Task.FromResult(response);
    }

    public override Task<Tunnel> GetTunnel(GetTunnelRequest request, ServerCallContext context)
    {
        try
        {
            return Task.FromResult(ToMessage(buying.Contracts.Get(request.Id)));
        }
        catch (ContractNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
    }

    public override async Task<Offer> GetOffer(GetOfferRequest request, ServerCallContext context)
    {
        SellerOffer offer;
        try
        {
            offer = await buying.OfferAsync(request.Pubkey, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PurchaseException or LightningException or ProtocolException or TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        var message = new Offer
        {
            Pubkey = offer.SellerPubKey,
            PricePerHour = offer.PricePerHourSat.ToString(CultureInfo.InvariantCulture),
            MinimumDuration = offer.MinimumDuration.ToString("c", CultureInfo.InvariantCulture),
            MaximumDuration = offer.MaximumDuration.ToString("c", CultureInfo.InvariantCulture),
            Region = offer.Region ?? string.Empty,
            CapacityLeft = offer.CapacityLeft,
            AnswerMilliseconds = (long)offer.AnswerTime.TotalMilliseconds,
        };
        message.Modes.AddRange(offer.Modes.Select(TunnelOfferVocabulary.WireName));
        message.AddressFamilies.AddRange(offer.AddressFamilies.Select(TunnelOfferVocabulary.WireName));
        message.Versions.AddRange(offer.ProtocolVersions);
        return message;
    }

    private static Tunnel ToMessage(BoughtContract contract) => new()
    {
        Id = contract.Id,
        Pubkey = contract.SellerPubKey,
        State = contract.StateAt(DateTimeOffset.UtcNow).ToString(),
        Mode = contract.Mode,
        TunnelAddress = contract.BuyerTunnelAddress,
        SellerTunnelAddress = contract.SellerTunnelAddress,
        Endpoint = contract.Endpoint,
        Price = (contract.PurchasePriceSat ?? contract.PriceSat).ToString(CultureInfo.InvariantCulture),
        ExpiresAt = Time(contract.ExpiresAt),
        InterfaceName = contract.InterfaceName,
    };

    private static VpnEvent ToMessage(ApiEvent happened) => new()
    {
        Sequence = happened.Sequence,
        Kind = happened.Kind,
        Id = happened.Id,
        Pubkey = happened.PubKey,
        Nonce = happened.Nonce,
        Price = happened.PriceSat?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        ContractId = happened.ContractId,
        TunnelAddress = happened.TunnelAddress,
        ExpiresAt = Time(happened.ExpiresAt),
        Duration = happened.Duration?.ToString("c", CultureInfo.InvariantCulture) ?? string.Empty,
        Mode = happened.Mode,
        Error = happened.Error,
        MoneyMoved = happened.MoneyMoved,
        Time = Time(happened.Time),
    };

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty;
}
