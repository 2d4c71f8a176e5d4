package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateEbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateEbsBlockDeviceRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateHttpTokensState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateIamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateIamInstanceProfileSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptions;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceMetadataOptionsState;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.OperatorResponse;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.VolumeType;

class LaunchTemplateDataCopyTest {

    @Test
    void nestedStructuresListsAndEnumsCarryOverToTheRequestTypes() {
        ResponseLaunchTemplateData described = ResponseLaunchTemplateData.builder()
                .imageId("ami-1").instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE).ebsOptimized(true)
                .iamInstanceProfile(LaunchTemplateIamInstanceProfileSpecification.builder().arn("arn:profile").build())
                .metadataOptions(LaunchTemplateInstanceMetadataOptions.builder()
                        .httpTokens(LaunchTemplateHttpTokensState.REQUIRED).httpPutResponseHopLimit(1)
                        .state(LaunchTemplateInstanceMetadataOptionsState.APPLIED).build())
                .networkInterfaces(LaunchTemplateInstanceNetworkInterfaceSpecification.builder().deviceIndex(0)
                        .associatePublicIpAddress(false).groups("sg-1", "sg-2").build())
                .blockDeviceMappings(LaunchTemplateBlockDeviceMapping.builder().deviceName("/dev/xvda")
                        .ebs(LaunchTemplateEbsBlockDevice.builder().encrypted(true).volumeType(VolumeType.GP3)
                                .volumeSize(40).kmsKeyId("key-1").build()).build())
                .tagSpecifications(LaunchTemplateTagSpecification.builder().resourceType(ResourceType.VOLUME)
                        .tags(Tag.builder().key("k").value("v").build()).build())
                .build();

        RequestLaunchTemplateData copy = LaunchTemplateDataCopy.toRequest(described).build();

        assertThat(copy).isEqualTo(RequestLaunchTemplateData.builder()
                .imageId("ami-1").instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE).ebsOptimized(true)
                .iamInstanceProfile(LaunchTemplateIamInstanceProfileSpecificationRequest.builder().arn("arn:profile")
                        .build())
                .metadataOptions(LaunchTemplateInstanceMetadataOptionsRequest.builder()
                        .httpTokens(LaunchTemplateHttpTokensState.REQUIRED).httpPutResponseHopLimit(1).build())
                .networkInterfaces(LaunchTemplateInstanceNetworkInterfaceSpecificationRequest.builder().deviceIndex(0)
                        .associatePublicIpAddress(false).groups("sg-1", "sg-2").build())
                .blockDeviceMappings(LaunchTemplateBlockDeviceMappingRequest.builder().deviceName("/dev/xvda")
                        .ebs(LaunchTemplateEbsBlockDeviceRequest.builder().encrypted(true).volumeType(VolumeType.GP3)
                                .volumeSize(40).kmsKeyId("key-1").build()).build())
                .tagSpecifications(LaunchTemplateTagSpecificationRequest.builder().resourceType(ResourceType.VOLUME)
                        .tags(Tag.builder().key("k").value("v").build()).build())
                .build());
    }

    @Test
    void unsetMembersStayUnsetAndAServiceOperatorIsNotCopied() {
        RequestLaunchTemplateData copy = LaunchTemplateDataCopy.toRequest(ResponseLaunchTemplateData.builder()
                .operator(OperatorResponse.builder().managed(true).principal("eks").build()).build()).build();

        assertThat(copy).isEqualTo(RequestLaunchTemplateData.builder().build());
        assertThat(copy.hasBlockDeviceMappings()).isFalse();
    }
}
