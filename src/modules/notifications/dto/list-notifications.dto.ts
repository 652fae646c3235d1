import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LimitQuery } from '../../../common/pagination.js';

export class ListNotificationsQuery extends LimitQuery {
  @ApiPropertyOptional({ enum: ['pending', 'sent', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed'])
  status?: 'pending' | 'sent' | 'failed';

  @ApiPropertyOptional({ example: 'action.due-reminder' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/)
  @MaxLength(100)
  kind?: string;


  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'action.due-reminder' }) kind: string;
  @ApiProperty({ example: 'poliisi@agency.example' }) recipient: string;
  @ApiProperty({ enum: ['pending', 'sent', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true, description: 'The last SMTP error (code and reply, addresses removed)' }) lastError: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'uuid' }) groupId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ nullable: true, format: 'date-time' }) sentAt: string | null;
  @ApiPropertyOptional({ nullable: true, format: 'date-time' }) failedAt: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items: NotificationDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}
