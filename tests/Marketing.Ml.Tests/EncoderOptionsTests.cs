using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

public sealed class EncoderOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_point_at_the_model_the_build_extracted()
    {
        var options = new EncoderOptions();

        Assert.True(Validate(options).Succeeded);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, options.ModelPath)));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, options.VocabPath)));
    }

    [Fact]
    public void A_wrong_setting_is_reported_by_name()
    {
        var result = Validate(new EncoderOptions { MaxTokens = 4096, MaxBatchWait = TimeSpan.FromSeconds(5) });

        Assert.True(result.Failed);
        Assert.Contains("MaxTokens", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MaxBatchWait", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(EncoderOptions options) =>
        new DataAnnotationValidateOptions<EncoderOptions>(Options.DefaultName).Validate(Options.DefaultName, options);
}
