namespace Appliance.Ctl;

/// <summary>Lines entered in the shell, kept in ~/.appliancectl_history (mode 0600: lines may carry
/// configuration values) when that file can be written; in memory otherwise.</summary>
internal sealed class History
{
    private const int MaxLines = 1000;
    private readonly List<string> _lines = [];
    private string? _path;

    public History(string? path)
    {
        _path = path;
        if (path is null || !File.Exists(path))
            return;
        try
        {
            _lines.AddRange(File.ReadLines(path).Where(l => l.Length > 0).TakeLast(MaxLines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _path = null;
        }
    }

    public static string? DefaultPath(Func<string, string?> getEnv) =>
        getEnv("HOME") is { Length: > 0 } home ? Path.Combine(home, ".appliancectl_history") : null;

    public int Count => _lines.Count;

    public string this[int index] => _lines[index];

    public void Add(string line)
    {
        if (line.Length == 0 || _lines.Count > 0 && _lines[^1] == line)
            return;
        _lines.Add(line);
        if (_lines.Count > MaxLines)
            _lines.RemoveAt(0);
        if (_path is null)
            return;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var w = new StreamWriter(_path, options);
            w.WriteLine(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _path = null;
        }
    }
}
