using System.CommandLine;
using System.Net.Http;
using PeftKit.Setup;
using TorchSharp;

namespace PeftKit.Cli.Commands;

/// <summary>`kit doctor`: can this machine run the kit? Exits non-zero with the reason when torch cannot be used.</summary>
internal static class DoctorCommand
{
    internal static Command Create()
    {
        var offline = new Option<bool>("--offline") { Description = "Skip the checks that reach the NuGet and npm registries." };
        var command = new Command("doctor", "Check that TorchSharp loads (applying the libstdc++ fix if needed), the device, and the data sources." + ExitCode.Describe("torch cannot be used here"))
        {
            offline,
        };
        command.SetAction(async (parse, cancel) => await RunAsync(parse.GetValue(offline), cancel));
        return command;
    }

    static async Task<int> RunAsync(bool offline, CancellationToken cancel)
    {
        TorchInfo info;
        try
        {
            info = KitTorch.Setup();
        }
        catch (TorchSetupException e)
        {
            Console.Error.WriteLine($"torch: NOT USABLE\n{e.Message}");
            return ExitCode.Failed;
        }
        Console.WriteLine(info);
        Console.WriteLine($"scalar quarantine: {ScalarQuarantine.Describe()}");
        if (!info.Deterministic)
            Console.WriteLine("deterministic algorithms: off (libtorch's switch is not reachable here)");
        Console.WriteLine($"this CPU's widest vector extension: {Reproducibility.CpuFeatures}");
        Console.WriteLine($"CUDA available: {torch.cuda.is_available()} (devices: {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)})");
        using (var x = torch.ones(2, 2))
            Console.WriteLine($"torch check: ones(2,2).sum() = {x.sum().item<float>()}");
        if (!offline)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var (name, url) in new[] { ("NuGet", "https://api.nuget.org/v3/index.json"), ("npm", "https://registry.npmjs.org/@stdlib%2fdatasets-sotu") })
                Console.WriteLine($"{name} registry: {await Probe(http, url, cancel)}");
        }
        return ExitCode.Ok;
    }

    static async Task<string> Probe(HttpClient http, string url, CancellationToken cancel)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
            return response.IsSuccessStatusCode ? "reachable" : $"answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"not reachable ({e.Message})";
        }
    }
}
