package io.runnerscaler.aws;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Turns launch template data as DescribeLaunchTemplateVersions returns it into data CreateLaunchTemplate accepts.
 * EC2 cannot copy across templates ({@code SourceVersion} names a version of the same template, and the
 * emulator ignores it), and the SDK models the two sides with parallel types of the same member names
 * ({@code LaunchTemplateEbsBlockDevice} / {@code LaunchTemplateEbsBlockDeviceRequest} ...). Copying member by
 * member name keeps every setting a base template has, including ones added to EC2 after this was written.
 */
final class LaunchTemplateDataCopy {

    /** Not copied: {@code Operator} marks a template a service manages, and the copy is ours. */
    private static final Set<String> SKIPPED = Set.of("Operator");

    private LaunchTemplateDataCopy() {
    }

    static RequestLaunchTemplateData.Builder toRequest(ResponseLaunchTemplateData source) {
        RequestLaunchTemplateData.Builder target = RequestLaunchTemplateData.builder();
        copy(source, target, SKIPPED);
        return target;
    }

    private static void copy(SdkPojo source, SdkPojo targetBuilder, Set<String> skipped) {
        Map<String, SdkField<?>> sourceFields = source.sdkFields().stream()
                .collect(Collectors.toMap(SdkField::memberName, Function.identity(), (a, b) -> a));
        for (SdkField<?> field : targetBuilder.sdkFields()) {
            SdkField<?> from = sourceFields.get(field.memberName());
            if (from == null || skipped.contains(field.memberName())) {
                continue;
            }
            Object value = convert(from.getValueOrDefault(source), field);
            if (value != null) {
                field.set(targetBuilder, value);
            }
        }
    }

    /** The source value in the target field's type, or null when unset or not convertible. */
    private static Object convert(Object value, SdkField<?> target) {
        if (value == null || value instanceof SdkAutoConstructList || value instanceof SdkAutoConstructMap) {
            return null;
        }
        MarshallingType<?> type = target.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            return value instanceof SdkPojo pojo ? structure(pojo, target) : null;
        }
        if (type == MarshallingType.LIST) {
            if (!(value instanceof Collection<?> items)) {
                return null;
            }
            SdkField<?> member = target.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> out = new ArrayList<>();
            for (Object item : items) {
                Object converted = convert(item, member);
                if (converted != null) {
                    out.add(converted);
                }
            }
            return out;
        }
        if (type == MarshallingType.MAP || value instanceof SdkPojo || value instanceof Collection<?>) {
            return null; // launch template data has no maps; a shape mismatch is left out rather than guessed
        }
        return value;
    }

    private static Object structure(SdkPojo source, SdkField<?> target) {
        SdkPojo builder = target.constructor().get();
        copy(source, builder, Set.of());
        return ((SdkBuilder<?, ?>) builder).build();
    }
}
