using Microsoft.AspNetCore.Http;

namespace Appliance.Daemon.Web;

internal sealed partial class WebSite
{
    private async Task LoginPageAsync(HttpContext http, WebSession? session, string? error, string user)
    {
        if (session?.User is not null)
        {
            http.Response.Redirect("/", permanent: false);
            return;
        }
        session ??= NewSession(http, sessions.Anonymous());
        var body = Html.Error(error) + $"""
            <form method="post" action="/login" id="login">{Html.Token(session)}
            <p><label for="user">User name</label><input id="user" name="user" autocomplete="username" value="{Html.E(user)}" required></p>
            <p><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit" id="login-button">Log in</button></p>
            </form>
            """;
        await WriteAsync(http, error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized, Html.Page("Log in", body, null, Host));
    }

    private async Task LoginPostAsync(HttpContext http, WebSession? session)
    {
        // The login form has a token too (login CSRF): a session before login carries it.
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        if (session is null || form is null || !session.TokenMatches(form[TokenField].ToString()))
        {
            await RefuseAsync(http, StatusCodes.Status403Forbidden, "The login form's token is missing or wrong (open the login page again).");
            return;
        }
        var user = form["user"].ToString();
        var from = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        var (loggedIn, account, refusal) = guard.Check(user, form["password"].ToString(), from);
        if (loggedIn is null || account is null)
        {
            await LoginPageAsync(http, session.User is null ? session : null, refusal, user);
            return;
        }
        NewSession(http, sessions.LogIn(session, loggedIn, account));
        http.Response.Redirect("/", permanent: false);
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private void Logout(WebCall call)
    {
        sessions.End(call.Session);
        call.Http.Response.Cookies.Delete(WebSessions.Cookie, CookieOptions());
        call.Http.Response.Redirect("/login", permanent: false);
        call.Http.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private static WebSession NewSession(HttpContext http, WebSession session)
    {
        http.Response.Cookies.Append(WebSessions.Cookie, session.Id, CookieOptions());
        return session;
    }

    /// <summary>__Host- cookies must be Secure, path /, no domain; HttpOnly keeps it from scripts, Strict from other sites.</summary>
    private static CookieOptions CookieOptions() =>
        new() { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true };
}
