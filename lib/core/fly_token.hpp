#pragma once
/// Fly API tokens as fly-go reads them: the one rule for the header sent (lib/fly) and for
/// which configured tokens are usable at all (lib/config). Pure.

#include <string>
#include <string_view>

namespace flywatch::core {

/// The `Authorization` header value for a Fly API token, exactly as fly-go sends it to the
/// Machines API (reference §1.1; tokens.Parse + FlapsHeader). Surrounding white space (token
/// files: spaces, tabs, CR, LF) is trimmed; leading "Bearer " / "FlyV1 " schemes are dropped in
/// any case ("flyv1 x", "bearer x", repeated); the rest is split on commas and each piece trimmed.
/// Pieces whose part before the first '_' is `fm1r`, `fm1a` or `fm2` are macaroons: when there is
/// at least one, the header is "FlyV1 " + the macaroons joined by ',' (other pieces, such as
/// `fo1_` OAuth tokens, are left out, as fly-go does); otherwise "Bearer " + the pieces joined
/// by ','. Empty pieces are dropped (fly-go keeps them). A token with nothing left (empty, white
/// space, or only a scheme word followed by a space) yields "" so the caller can refuse it.
std::string fly_authorization_header(std::string_view token);

}  // namespace flywatch::core
