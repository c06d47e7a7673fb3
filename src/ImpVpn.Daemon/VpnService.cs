using Grpc.Core;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon;

/// <summary>The seed's vpn.VPN: each method checks its terms, starts the work and answers its id at once; the
/// result follows as an event under that id (VpnExtrasService).</summary>
internal sealed class VpnService(ApiBuying buying) : VPN.VPNBase
{
    public override Task<RequestQuoteResponse> RequestQuote(RequestQuoteRequest request, ServerCallContext context) =>
        Task.FromResult(new RequestQuoteResponse { Id = buying.RequestQuote(request.Pubkey) });

    public override Task<AcceptContractResponse> AcceptContract(AcceptContractRequest request, ServerCallContext context) =>
        Task.FromResult(new AcceptContractResponse { Id = buying.AcceptContract(request.Pubkey, request.Nonce, request.Price) });

    public override Task<RefreshContractResponse> RefreshContract(RefreshContractRequest request, ServerCallContext context) =>
        Task.FromResult(new RefreshContractResponse { Id = buying.RefreshContract(request.Pubkey, request.Nonce, request.Price) });
}
