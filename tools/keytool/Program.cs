using System.Security.Cryptography;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Upgrade;

namespace Appliance.KeyTool;

/// <summary>
/// Vendor-side tool: issues licence keys and signs upgrade packages. Exit codes as appliancectl's
/// (README "Exit codes"): 0 ok, 1 usage (also a named file that is not there), 2 refused (bad
/// signature, invalid key or licence), 4 internal (a file that cannot be read or written).
/// </summary>
public static class Program
{
    public const string KeyEnvironmentVariable = "APPLIANCE_VENDOR_KEY";
    public const string TestKeyFileName = "test-vendor-private.pem";

    private const string UsageText = """
        usage: keytool <command> [options]
          issue-release  --serial S --edition full|select      [--key PEM]
          issue-option   --serial S --personal N --shared N    [--id ID] [--key PEM]
          sign-package   FILE [--out FILE.sig]                 [--key PEM]
          verify-package FILE [--sig FILE.sig]                 [--pub PEM]
          verify-licence KEY --serial S                        [--pub PEM]
          gen-pair       [--out DIR]   (writes vendor-private.pem and vendor-public.pem; for tests)
          --version      this keytool's version
        The signing key is --key, else $APPLIANCE_VENDOR_KEY, else the checked-in TEST key (with a warning).
        Verification uses --pub, else the vendor key built into the daemon (the TEST key in a test build).
        Exit codes: 0 ok, 1 usage, 2 refused (bad signature, invalid key or licence), 4 internal.
        """;

    public const int ExitUsage = 1;
    public const int ExitRefused = 2;
    public const int ExitInternal = 4;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).WriteLine(UsageText);
            return args.Length == 0 ? ExitUsage : 0;
        }
        if (args is ["--version"])
        {
            stdout.WriteLine(Daemon.Node.SoftwareVersion.Current);
            return 0;
        }
        try
        {
            // Options and the number of positional arguments each command takes, checked before it acts.
            var (allowed, positional) = args[0] switch
            {
                "issue-release" => (new[] { "serial", "edition", "key" }, 0),
                "issue-option" => (["serial", "personal", "shared", "id", "key"], 0),
                "sign-package" => (["out", "key"], 1),
                "verify-package" => (["sig", "pub"], 1),
                "verify-licence" => (["serial", "pub"], 1),
                "gen-pair" => (["out"], 0),
                _ => throw new UsageException($"unknown command \"{args[0]}\""),
            };
            var a = Arguments.Parse(args[1..], allowed, positional);
            var code = args[0] switch
            {
                "issue-release" => IssueRelease(a, stdout, stderr),
                "issue-option" => IssueOption(a, stdout, stderr),
                "sign-package" => SignPackage(a, stdout, stderr),
                "verify-package" => VerifyPackage(a, stdout),
                "verify-licence" => VerifyLicence(a, stdout),
                "gen-pair" => GenPair(a, stdout),
                _ => throw new UsageException($"unknown command \"{args[0]}\""),
            };
            return code;
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"keytool: {e.Message}");
            stderr.WriteLine(UsageText);
            return ExitUsage;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            stderr.WriteLine($"keytool: {e.Message}");
            return ExitUsage;
        }
        catch (Exception e) when (e is LicenceException or UpgradeException or ArgumentException or CryptographicException)
        {
            stderr.WriteLine($"keytool: {e.Message}");
            return ExitRefused;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keytool: {e.Message}");
            return ExitInternal;
        }
    }

    private static int IssueRelease(Arguments a, TextWriter stdout, TextWriter stderr)
    {
        var serial = a.Required("serial");
        var edition = a.Required("edition") switch
        {
            "full" => LicenceEdition.Full,
            "select" => LicenceEdition.Select,
            var e => throw new UsageException($"--edition must be full or select, not \"{e}\""),
        };
        using var key = SigningKey(a, stderr);
        stdout.WriteLine(new LicenceIssuer(key).IssueRelease(serial, edition));
        return 0;
    }

    private static int IssueOption(Arguments a, TextWriter stdout, TextWriter stderr)
    {
        var serial = a.Required("serial");
        var personal = a.RequiredInt("personal");
        var shared = a.RequiredInt("shared");
        var id = a.Optional("id");
        using var key = SigningKey(a, stderr);
        stdout.WriteLine(new LicenceIssuer(key).IssueOption(serial, personal, shared, id));
        return 0;
    }

    private static int SignPackage(Arguments a, TextWriter stdout, TextWriter stderr)
    {
        var file = a.Positional("FILE");
        var output = a.Optional("out");
        using var key = SigningKey(a, stderr);
        stdout.WriteLine(PackageSignature.SignFile(file, key, output));
        return 0;
    }

    private static int VerifyPackage(Arguments a, TextWriter stdout)
    {
        var file = a.Positional("FILE");
        var sig = a.Optional("sig") ?? file + PackageSignature.Suffix;
        using var key = PublicKey(a);
        var info = UpgradePackage.Verify(file, sig, key);
        stdout.WriteLine($"ok: version {info.Version}, {info.FileCount} files, {info.Bytes} bytes");
        return 0;
    }

    private static int VerifyLicence(Arguments a, TextWriter stdout)
    {
        var text = a.Positional("KEY");
        var serial = a.Required("serial");
        using var verifier = new LicenceVerifier(PublicKey(a));
        stdout.WriteLine($"ok: {verifier.Verify(text, serial)}");
        return 0;
    }

    private static int GenPair(Arguments a, TextWriter stdout)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var dir = a.Optional("out");
        if (dir is null)
        {
            stdout.Write(key.ExportPkcs8PrivateKeyPem() + "\n" + key.ExportSubjectPublicKeyInfoPem() + "\n");
            return 0;
        }
        Directory.CreateDirectory(dir);
        var priv = Path.Combine(dir, "vendor-private.pem");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var w = new StreamWriter(priv, options))
            w.WriteLine(key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "vendor-public.pem"), key.ExportSubjectPublicKeyInfoPem() + "\n");
        stdout.WriteLine(priv);
        stdout.WriteLine(Path.Combine(dir, "vendor-public.pem"));
        return 0;
    }

    private static ECDsa SigningKey(Arguments a, TextWriter stderr)
    {
        var path = a.Optional("key") ?? Environment.GetEnvironmentVariable(KeyEnvironmentVariable);
        if (string.IsNullOrEmpty(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, TestKeyFileName);
            stderr.WriteLine($"keytool: WARNING: signing with the TEST vendor key {path}; give --key or ${KeyEnvironmentVariable} for a real one");
        }
        return VendorKey.LoadPemFile(path);
    }

    private static ECDsa PublicKey(Arguments a) =>
        a.Optional("pub") is { } path ? VendorKey.LoadPemFile(path) : VendorKey.LoadBuiltIn();
}
