import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { GroupSettingsDto, type GroupSettings } from '../group-settings.js';

export class CreateGroupDto {
  @ApiProperty({ example: 'Tampereen MARAK' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ example: 'Pirkanmaan hyvinvointialue' }) @IsString() @Length(1, 200) area: string;
  @ApiPropertyOptional({ type: GroupSettingsDto }) @IsOptional() @ValidateNested() @Type(() => GroupSettingsDto) settings?: GroupSettingsDto;
}

export class GroupDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() area: string;
  @ApiProperty() settings: GroupSettings;
  @ApiProperty({ type: [String] }) agencyIds: string[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
}
